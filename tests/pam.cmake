# Tests for the pam area.
