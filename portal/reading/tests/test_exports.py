"""portal.reading.exports: the sessions CSV's cells (the export through the view is in test_staff_views.py)."""

import pytest

from portal.reading.exports import csv_safe


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_csv_cells_that_a_spreadsheet_would_run_get_a_leading_quote(value):
    assert csv_safe(value) == "'" + value
    assert csv_safe("Plain text") == "Plain text"
    assert csv_safe(-1) == -1  # numbers are numbers
