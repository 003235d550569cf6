"""python -m zoufang: the command line."""
from .cli import run

run()
