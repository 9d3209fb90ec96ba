"""training/exercises"""
