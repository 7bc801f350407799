"""MAC learning for the L2 switch app (:mod:`ctrlapp.services.l2.learning`)."""
