"""The athlete site: HTML reports with charts, athlete indexes, cycle pages, the coach roster, e-mail."""
