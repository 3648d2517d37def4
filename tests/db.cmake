# Tests for the db area.
