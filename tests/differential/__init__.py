"""Differential testing of repogen's resolvers against the real apt-get, dnf and zypper."""
