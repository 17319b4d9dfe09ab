"""importsub.compile"""
