"""The hub of jupyterhub_config.py on one machine, for a trial, the tests and the benchmark: anyone listed in
GDPRLAB_TRIAL_USERS (comma-separated) logs in with any password (DummyAuthenticator: never in production).
GDPRLAB_TRIAL_DASHBOARD=0 leaves the dashboard service unstarted (it and its role stay configured)."""

import os
from pathlib import Path

from gdprlab.training import hub

c = get_config()  # noqa: F821 - provided by JupyterHub
load_subconfig(str(Path(__file__).with_name("jupyterhub_config.py")))  # noqa: F821

c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allowed_users = {u for u in os.environ.get("GDPRLAB_TRIAL_USERS", "").split(",") if u}
for service in c.JupyterHub.services:
    if service["name"] != hub.DASHBOARD_SERVICE:
        continue
    if os.environ.get("GDPRLAB_TRIAL_DASHBOARD") == "0":
        for key in ("command", "url", "oauth_no_confirm"):  # an API-only service: not waited for
            service.pop(key)
    elif os.geteuid() == 0:  # a trial run as root (a container): Jupyter Server refuses root otherwise
        service["command"].append("--allow-root")
