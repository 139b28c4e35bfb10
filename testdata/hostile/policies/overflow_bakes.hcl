rollout "content" {
  ring "r0" {
    steps = [100]
    bake  = "87000h"
  }
  ring "r1" {
    steps = [100]
    bake  = "87000h"
  }
  ring "r2" {
    steps = [100]
    bake  = "87000h"
  }
  ring "r3" {
    steps = [100]
    bake  = "87000h"
  }
  ring "r4" {
    steps = [100]
    bake  = "87000h"
  }
  ring "r5" {
    steps = [100]
    bake  = "87000h"
  }
  ring "r6" {
    steps = [100]
    bake  = "87000h"
  }
  ring "r7" {
    steps = [100]
    bake  = "87000h"
  }
  ring "r8" {
    steps = [100]
    bake  = "87000h"
  }
  ring "r9" {
    steps = [100]
    bake  = "87000h"
  }
  ring "r10" {
    steps = [100]
    bake  = "87000h"
  }
  ring "r11" {
    steps = [100]
    bake  = "87000h"
  }
  ring "r12" {
    steps = [100]
    bake  = "87000h"
  }
  ring "r13" {
    steps = [100]
    bake  = "87000h"
  }
  ring "r14" {
    steps = [100]
    bake  = "87000h"
  }
  ring "r15" {
    steps = [100]
    bake  = "87000h"
  }
  ring "r16" {
    steps = [100]
    bake  = "87000h"
  }
  ring "r17" {
    steps = [100]
    bake  = "87000h"
  }
  ring "r18" {
    steps = [100]
    bake  = "87000h"
  }
  ring "r19" {
    steps = [100]
    bake  = "87000h"
  }
}
