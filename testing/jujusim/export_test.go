package jujusim

// CheckLeaseList exposes checkLeases to the tests.
var CheckLeaseList = checkLeases
