"""One observation's life: fields, recording, merging, readiness, frameworks, actions, sign-off."""
