"""Django settings for the data-layer peer: one async view reading chat history with psycopg 3 (not for production)."""
import os

SECRET_KEY = "peer-benchmark-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = []
MIDDLEWARE = []  # bare, like the gateway's API routes: no sessions, no CSRF on a GET
ROOT_URLCONF = "roomsproj.urls"
DATABASES = {}  # Django 3.2's ORM is sync-only; the async view uses psycopg 3's async pool directly
USE_TZ = True
ROOMS_PG_DSN = os.environ.get("ROOMS_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
ROOMS_POOL_SIZE = int(os.environ.get("ROOMS_POOL_SIZE", "8"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
