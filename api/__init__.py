"""HTTP: the app factory, flask-smorest blueprints, schemas, auth and errors."""
from api.app import create_app

__all__ = ["create_app"]
