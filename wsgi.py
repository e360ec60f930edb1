"""WSGI entry point: `gunicorn wsgi:app`. Refuses to start in production without a secret."""
from api import create_app
from api.config import require_serving_config

app = create_app()
require_serving_config(app)
