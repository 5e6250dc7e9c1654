; about: getppid() is sent to a supervisor (USER_NOTIF); everything else is allowed
; try: getppid
; try: getpid
    ld [nr]
    jeq #getppid, notify, pass
pass:
    ret #ALLOW
notify:
    ret #NOTIFY
