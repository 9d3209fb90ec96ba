"""Data subjects' requests done, not only graded: find a person in every table and in the notes of other
records (find.py), answer an access and portability request (access.py, Art. 15 and 20), erase or rectify
with an audit record that holds counts and hashes, never the values (erase.py, Art. 16, 17, 19).

This layer sits above audit (it uses its masking, its erasure rule's notion of a hold and its text scanner)
and below cli."""
