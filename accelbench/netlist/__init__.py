"""Netlist services: build, simulate, export Verilog, synthesise for area."""
