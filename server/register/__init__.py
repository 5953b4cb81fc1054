"""The standing member register: municipalities, their populations, and importing them."""
