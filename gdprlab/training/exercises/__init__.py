"""The lessons' hands-on exercises: one model (`model`), one way to draw them (`widget`), and the builders of
lessons 01-04 (`records`, from the generator's ground truth) and 05-08 (`organisation`, from the audit rules).
"""
