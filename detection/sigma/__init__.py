"""Sigma rules -> native store queries (the only package that imports pySigma).

    from detection.sigma import load_ruleset, conversion_report
    ruleset = load_ruleset()                      # $SOC_RULES or the repo's rules/
    rule.queries["sqlite"], rule.queries["elasticsearch"]
"""

from detection.sigma.backends import DIALECTS
from detection.sigma.compile import conversion_report, load_ruleset
from detection.sigma.loader import RULES_ENV, rule_dirs, rule_tests_path

__all__ = ["DIALECTS", "RULES_ENV", "conversion_report", "load_ruleset", "rule_dirs", "rule_tests_path"]
