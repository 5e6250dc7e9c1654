; about: runtime division by X == 0 ends the program with 0, which is KILL_THREAD
; try: getpid 4                    # 100 / 4: the program goes on to ERRNO(25)
; try: getpid 0                    # 100 / 0: the program returns 0 at once
; try: getppid
    ld [nr]
    jeq #getpid, divide
    ret #ALLOW
divide:
    ld [args[0]]
    tax
    ld #100
    div x
    jeq #25, quarter
    ret #ERRNO(1)
quarter:
    ret #ERRNO(25)
