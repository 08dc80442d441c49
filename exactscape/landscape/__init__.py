"""The landscape features built on the theorems: the atlas, regions, cells of the sample
arrangement, points, spurious minima, paths and the cross-check of float results."""
