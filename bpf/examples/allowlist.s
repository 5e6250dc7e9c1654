; about: an allowlist: x86_64 only, five syscalls allowed, everything else fails with EPERM
; try: getpid
; try: write 1 0x7ffc0000 5
; try: getppid                    # not on the list
; try: getpid arch=i386           # wrong architecture: the whole process dies
; try: 0x40000027                 # x32 getpid: refused like any unknown number
    ld [arch]
    jeq #AUDIT_ARCH_X86_64, arch_ok
    ret #KILL_PROCESS
arch_ok:
    ld [nr]
    jge #0x40000000, deny          ; x32 syscall numbers
    jeq #read, allow
    jeq #write, allow
    jeq #exit, allow
    jeq #exit_group, allow
    jeq #getpid, allow
deny:
    ret #ERRNO(1)
allow:
    ret #ALLOW
