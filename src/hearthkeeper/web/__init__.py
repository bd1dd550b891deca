"""The web side: the FastAPI application with the operator console, the REST API and the
built-in web chat's pages (the web chat carrier itself lives in `carriers/webchat`)."""
