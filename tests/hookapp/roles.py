from apps.core.accounts import RoleName, RoleSpec

KEEPER = "hook_keeper"

ROLES = (RoleSpec(KEEPER, "Hook keeper", "Keeps the hooked things.", parents=(RoleName.ADMIN,), dashboard="hooked"),)
