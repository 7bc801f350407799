"""Test support shipped with ctrlapp: an emulated OpenFlow switch (:mod:`.switch_emulator`)."""
