"""ARP bindings and the proxy-ARP responder engine (:mod:`ctrlapp.services.arp.responder`)."""
