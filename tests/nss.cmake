# Tests for the nss area.
