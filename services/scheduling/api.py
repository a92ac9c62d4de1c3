"""The scheduling service's internal HTTP API."""

from flask import Blueprint

blueprint = Blueprint("scheduling", __name__)
