"""The site file: one TOML file, one loader and validator used by every program."""

from config.loader import find_config, load_config, parse_config
from config.model import Config

__all__ = ["Config", "find_config", "load_config", "parse_config"]
