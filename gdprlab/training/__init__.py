"""Staff training: quizzes and exercises in the lesson notebooks, the record of who passed what, and the
trainer's views of it (status, dashboard, exports)."""
