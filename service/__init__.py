"""Front ends over the classifier library: the command line and the HTTP service."""
