"""gunicorn settings for the web process; every value can be overridden from the environment."""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
# Sync workers: requests are short and the database does the waiting; scale with processes.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("WEB_THREADS", "1"))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
# Restart each worker now and then so slow leaks never build up.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
# Path without the query string, and link tokens masked: see assess/logs.py.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
logger_class = "assess.logs.GunicornLogger"
errorlog = "-"
# Only trust X-Forwarded-* from the proxy in front (set ASSESS_PROXY_HOPS for the app as well).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
