rollout "r" {
ring "all" {
steps=[100]
bake="1h"
}
}
