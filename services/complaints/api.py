"""The complaints service's internal HTTP API."""

from flask import Blueprint

blueprint = Blueprint("complaints", __name__)
