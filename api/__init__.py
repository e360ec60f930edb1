"""HTTP: the app factory, flask-smorest blueprints, schemas, auth and errors."""

__all__ = ["create_app"]


def __getattr__(name: str):
    # imported on first use: the commands build the core app only (api/factory.py), without the HTTP layer
    if name == "create_app":
        from api.app import create_app
        return create_app
    raise AttributeError(f"module 'api' has no attribute {name!r}")
