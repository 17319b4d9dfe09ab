"""importsub.web"""
