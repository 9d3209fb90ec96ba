"""The hub of jupyterhub_config.py on one machine, for a trial, the tests and the benchmark: anyone listed in
GDPRLAB_TRIAL_USERS (comma-separated) logs in with any password (DummyAuthenticator: never in production).
Learners' servers run as the hub's own user, with a home folder under GDPRLAB_TRIAL_HOMES (default /tmp).
GDPRLAB_TRIAL_DASHBOARD=0 leaves the dashboard service unstarted (it and its role stay configured)."""

import os
from pathlib import Path

from gdprlab.training import hub

c = get_config()  # noqa: F821 - provided by JupyterHub
load_subconfig(str(Path(__file__).with_name("jupyterhub_config.py")))  # noqa: F821

c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allowed_users = {u for u in os.environ.get("GDPRLAB_TRIAL_USERS", "").split(",") if u}
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = os.path.join(os.environ.get("GDPRLAB_TRIAL_HOMES", "/tmp"),
                                                             "{username}")
ROOT_ARGS = ["--allow-root"] if os.geteuid() == 0 else []  # a trial run as root (a container)
c.Spawner.args = list(c.Spawner.args) + ROOT_ARGS
for service in c.JupyterHub.services:
    if service["name"] != hub.DASHBOARD_SERVICE:
        continue
    if os.environ.get("GDPRLAB_TRIAL_DASHBOARD") == "0":
        for key in ("command", "url", "oauth_no_confirm"):  # an API-only service: not waited for
            service.pop(key)
    else:
        service["command"] += ROOT_ARGS
