; about: argument checks: kill() only with signal 0, openat() only read-only (EACCES otherwise)
; try: kill 1234 0                 # a liveness probe
; try: kill 1234 9                 # SIGKILL: refused
; try: kill 1234 0x100000000       # the high word counts too
; try: openat -100 0x1000 0        # O_RDONLY
; try: openat -100 0x1000 0x42     # O_RDWR|O_CREAT
    ld [arch]
    jeq #AUDIT_ARCH_X86_64, arch_ok
    ret #KILL_PROCESS
arch_ok:
    ld [nr]
    jeq #kill, on_kill
    jeq #openat, on_openat
    ret #ALLOW
on_kill:
    ld [args[1].hi]
    jeq #0, kill_low, eperm
kill_low:
    ld [args[1]]
    jeq #0, allow, eperm
on_openat:
    ld [args[2]]
    jset #3, eacces                ; O_WRONLY or O_RDWR
allow:
    ret #ALLOW
eperm:
    ret #ERRNO(1)
eacces:
    ret #ERRNO(13)
