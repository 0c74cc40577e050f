"""Tests of the site layer: HTML reports, charts, the athlete site, the roster, e-mail."""
