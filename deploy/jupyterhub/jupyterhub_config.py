"""JupyterHub for gdprlab's training: learners log in, take the lessons in Voilà (or JupyterLab), and their
quiz attempts go to the grading service, the only holder of the store's credentials; trainers (the hub
group `trainers`) open the dashboard. The logic is gdprlab.training.hub; commands: README, "Running it
for an organisation".

Environment of the hub process (secrets never in this file):
  JUPYTERHUB_DB_URL         the hub's own database, e.g. postgresql+psycopg://jupyterhub@db/jupyterhub
  GDPRLAB_DB_URL            the training store, e.g. postgresql+psycopg://gdprlab_grader@db/gdprlab;
                            given to the grading service only, never to learners' servers
  PGPASSWORD or PGPASSFILE  the store's password (or a pgpass file readable by the hub's user only)
  GDPRLAB_DASHBOARD_DB_URL  a read-only role on the store, for the trainer dashboard, with its password in
  GDPRLAB_DASHBOARD_PGPASSFILE  a pgpass file of its own (the dashboard never gets the grader's)
  GDPRLAB_DASHBOARD_USER    the system user the dashboard runs as (trainers can run code there)
  GDPRLAB_TRAINERS          trainers' hub user names, comma-separated (or manage the group in /hub/admin)
  GDPRLAB_GRADING_PORT      port of the grading service on 127.0.0.1 (default 10101)
  GDPRLAB_LESSONS           folder of the lesson notebooks (default: this checkout's lessons/)
"""

import os
import sys
from pathlib import Path

from gdprlab.training import hub

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

ROOT = Path(__file__).resolve().parents[2]
GRADING_PORT = int(os.environ.get("GDPRLAB_GRADING_PORT", "10101"))

c.JupyterHub.bind_url = os.environ.get("GDPRLAB_HUB_URL", "http://127.0.0.1:8000")
c.JupyterHub.db_url = os.environ.get("JUPYTERHUB_DB_URL", "sqlite:///jupyterhub.sqlite")

# Learners log in with the organisation's accounts. OAuth (pip install oauthenticator): register the hub
# at the identity provider with the callback https://<hub>/hub/oauth_callback, then set
# OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, OAUTH_CALLBACK_URL, OAUTH2_AUTHORIZE_URL, OAUTH2_TOKEN_URL and
# OAUTH2_USERDATA_URL in the hub's environment. The user name becomes the learner id, so take a login or
# staff number (username_claim), never the e-mail address (data minimisation, Art. 5(1)(c)).
c.JupyterHub.authenticator_class = "generic-oauth"
c.GenericOAuthenticator.username_claim = "preferred_username"
c.GenericOAuthenticator.scope = ["openid", "profile"]
c.GenericOAuthenticator.allow_all = True  # or allowed_groups = {"staff"} with manage_groups
# LDAP instead (pip install jupyterhub-ldapauthenticator):
#   c.JupyterHub.authenticator_class = "ldapauthenticator.LDAPAuthenticator"
#   c.LDAPAuthenticator.server_address = "ldap.example.org"
#   c.LDAPAuthenticator.bind_dn_template = ["uid={username},ou=people,dc=example,dc=org"]
#   c.LDAPAuthenticator.allowed_groups = ["cn=staff,ou=groups,dc=example,dc=org"]

# Trainers: the members of this group may open the dashboard (hub admins can change it at /hub/admin).
TRAINERS = [name for name in os.environ.get("GDPRLAB_TRAINERS", "").split(",") if name]
c.JupyterHub.load_groups = {"trainers": {"users": TRAINERS}}
c.JupyterHub.load_roles = hub.roles()
c.JupyterHub.services = hub.services(notebooks=str(ROOT / "notebooks"), grading_port=GRADING_PORT)

# Learners' servers: the lessons folder, opened in Voilà (code-free pages); /user/<name>/lab for JupyterLab.
# Each server runs as the learner's system account (LocalProcessSpawner); DockerSpawner or SystemdSpawner
# work the same way. Kernels get the grading service's address and a token that may use it, nothing else.
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]  # gdprlab's environment (this one)
c.Spawner.notebook_dir = os.environ.get("GDPRLAB_LESSONS", str(ROOT / "lessons"))
c.Spawner.default_url = "/voila/render/00_start_here.ipynb"
c.Spawner.environment = hub.spawner_environment(GRADING_PORT)
c.Spawner.server_token_scopes = hub.SERVER_TOKEN_SCOPES
c.Spawner.args = ["--VoilaConfiguration.strip_sources=True", "--VoilaConfiguration.show_tracebacks=False"]
