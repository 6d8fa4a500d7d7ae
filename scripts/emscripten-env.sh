# Sourced by the build scripts. Debian's Emscripten runs its JS optimizer with the system
# Node.js and needs Debian's node modules (acorn) on NODE_PATH.
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
