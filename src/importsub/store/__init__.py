"""importsub.store"""
