"""`votehall loadtest`: simulated kiosks against a real server and a bare echo server.

The pieces: `kiosks` (the client of one process), `pool` (one or several client processes),
`display` (the hall screen and the chair), `spawn` (fresh database, seeded meeting, servers as
child processes), `echo` (the no-database baseline), `runner` (bursts and their checks),
`report` (table or JSON) and `main` (the command). Nothing is imported here, so that the echo
server and the client worker processes start without loading the database layer.
"""
