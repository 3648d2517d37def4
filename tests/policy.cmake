# Tests for the policy area.
