"""The casework service's internal HTTP API."""

from flask import Blueprint

blueprint = Blueprint("casework", __name__)
