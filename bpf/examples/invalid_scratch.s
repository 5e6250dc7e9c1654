; about: invalid: M[0] is stored on one path only, so check_load_and_stores() refuses it
; try: getpid
    ld [nr]
    jeq #getpid, store, skip
store:
    st M[0]
skip:
    ld M[0]
    ret a
