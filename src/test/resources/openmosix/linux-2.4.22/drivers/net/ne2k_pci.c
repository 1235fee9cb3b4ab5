/* ne2k-pci.c: A NE2000 clone on PCI bus driver for Linux. */
int ne2k_pci_probe(void) { return 0; }
