"""The WSGI entry point for production servers: `gunicorn wsgi:app`."""

from assess import create_app

app = create_app()
