"""Ryu's ``ryu.app.wsgi`` names, so ported apps only change the import prefix."""

from ctrlapp.rest.wsgi import ControllerBase, Response, WSGIApplication, route

__all__ = ["ControllerBase", "Response", "WSGIApplication", "route"]
