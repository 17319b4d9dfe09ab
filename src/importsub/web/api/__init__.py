"""One router per resource (API under ``/api``) and the dashboard pages."""
