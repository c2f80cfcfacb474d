/* sae/daemon.h: not written yet. */
