"""importsub.io"""
