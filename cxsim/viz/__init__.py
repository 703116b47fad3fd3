"""Seeing the model: one style (palette, stage colours, number formats), plots of results, and
the SolaraViz dashboard (:mod:`cxsim.viz.app`, imported on demand: it needs the dashboard extra).
"""
